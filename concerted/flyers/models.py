# Models of the flyers app.
