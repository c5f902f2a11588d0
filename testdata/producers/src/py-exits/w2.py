from exits.shapes import Progress, check, gen, pick
Progress(5).render(1)
try:
    check(None)
except ValueError:
    pass
list(gen([]))
pick(False)
