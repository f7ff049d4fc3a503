"""One router per capability; routes translate requests and call one service each."""
