"""Version and home of sitegen, importable without importing the rest of the package."""

__version__ = "0.1.0"
#: Where sitegen's source lives: the User-Agent of `fetch` names it. (`sitegen new` does not
#: use it: a new site installs the sitegen that made it, as pip recorded its source.)
PROJECT_URL = "https://github.com/sitegen-dev/sitegen"
