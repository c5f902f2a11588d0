import asyncio
from withpkg.w import *

tail_if(0); nested(0); in_loop([0]); at_end(0); multi(0); early(0)
asyncio.run(agen(0))
