"""Classifiers that read a post and say its language, sentiment, complaint probability and why."""
