"""Version and home of sitegen, importable without importing the rest of the package."""

__version__ = "0.1.0"
#: Where sitegen's source lives: the User-Agent of `fetch` names it, and `sitegen new` pins
#: new sites' requirements.txt to a release tag of it. (Set here once; see docs/deploy.md.)
PROJECT_URL = "https://github.com/sitegen-dev/sitegen"
