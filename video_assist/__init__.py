"""Video assist: a citizen's call to a remote clerk over WebRTC (signalling, the kiosk's peer, the
clerk's browser console)."""
