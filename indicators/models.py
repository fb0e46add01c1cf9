"""Models of the indicators app."""
