"""The plan importer: a pure parser (no database) and the service that writes its result.

- ``decoding``: bytes of a .txt (UTF-8 / GB18030) or .docx file → plain text lines.
- the unit directory (canonical names, aliases, placeholder groups) and name resolution: ``departments.directory``.
- ``parser``: plain text → ``ParseResult`` (tasks, sections, assignments, deadlines, milestones, targets).
- ``targets``: quantified targets found in a task's text.
"""
