"""Small tools with no knowledge of papers or sites: atomic files, locks, forked processes,
progress bars, text cleaning.
"""
