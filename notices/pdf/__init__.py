"""Official letters: sanitize -> render (WeasyPrint) -> seal (PAdES, pyHanko).

Pure Python, no Django models. See the modules for the why of each step.
"""
