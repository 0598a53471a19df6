"""The central service: clerks and operators, the video-assist call queue and its signalling, and
(later) the submissions inbox and the fleet view."""
