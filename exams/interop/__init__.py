"""Question banks in Moodle's formats (Moodle XML, GIFT, Aiken), in and out (docs/interop.md).

Each reader translates a foreign file into the native question document
(docs/content-format.md) with the foreign file's line of every question, so that the one
native validation and import pipeline (exams.content.importing) checks and writes it.
"""
