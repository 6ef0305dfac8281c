"""The bottom layer: config, Thai text and dates, geography, the sheet schema and its words.

Imports nothing else of the project.
"""
