import asyncio
from withpkg.w import *

tail_if(1); nested(1); in_loop([1, 2]); at_end(1); multi(1); early(1); one_line(1)
asyncio.run(agen(1))
