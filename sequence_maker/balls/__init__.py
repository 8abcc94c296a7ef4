"""Talking to real LTX balls over Wi-Fi: discovery (UDP broadcasts), .prg upload (TCP 8888,
confirmed by the ball's UDP status) and live colour (UDP). Sends only to addresses the user
chose; nothing happens on the network unless a command asks for it."""
