# Models of the bargaining app.
