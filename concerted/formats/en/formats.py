# Django's English default is "N j, Y" ("Dec. 1, 2026"); the pages, flyers and PDFs have
# always said "1 December 2026", which reads the same on both sides of the Atlantic.
DATE_FORMAT = "j F Y"
# The same order for a day without its year ("2 December", core/templatetags day_and_time).
MONTH_DAY_FORMAT = "j F"
