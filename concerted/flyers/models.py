# Flyers store nothing: they are built on request from their target (see targets.py).
