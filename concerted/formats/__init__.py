"""Date formats that differ from Django's own for a language (FORMAT_MODULE_PATH). Every
page writes a date with the language's DATE_FORMAT: "1 de diciembre de 2026",
"1. Dezember 2026"; only English is set here, to the day-month-year it always used."""
