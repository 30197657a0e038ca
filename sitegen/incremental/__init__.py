"""The build cache: wrappers around the stages that keep what cannot have changed; owns .sitegen-
cache/.
"""
