from exits.shapes import Progress, check, gen, pick
Progress(1).render(3)
check(1)
list(gen([0, 1]))
pick(True)
