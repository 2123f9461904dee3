"""Stands in for a changed file on the test side of a sealed run: that file's code runs on the code side.

Mounted over each changed file in the test side's view, so the normal import search still finds a
regular file there (and OpsGuard's finder turns the import into a proxy); it defines nothing.
"""
