"""No test imports this module; --cov=pkg still reports it (at 0%)."""

import os


def home_dir():
    return os.path.expanduser("~")


class Settings:
    def __init__(self, path):
        self.path = path

    def exists(self):
        if not self.path:
            return False
        return os.path.exists(self.path)
