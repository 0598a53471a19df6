"""Biometric photo pipeline: detect, measure, guide, crop, encode (no Kivy)."""
