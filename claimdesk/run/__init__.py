"""The composition root: the command line, the dev stack and the process launcher.

The only package that imports api/ and worker.py.
"""
