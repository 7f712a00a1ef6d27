"""The yardstick: a bare Flask app answering "Hello", served the same way as the shop."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
