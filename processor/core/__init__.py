"""The domain, pure: rules, scores, grades, ranks, checks and the decision's content.

Nothing here touches a file, the network, the clock or the console; tests/test_architecture.py
reads every import statement under this folder and fails on any I/O library.
"""
