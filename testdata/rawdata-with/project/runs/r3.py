from withpkg.w import *

tail_if(0); in_loop([0, 3]); at_end(0); early(0)
