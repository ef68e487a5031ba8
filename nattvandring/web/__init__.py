"""The UI shell: start page, language switch, error pages, headers and template helpers."""
