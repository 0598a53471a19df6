"""Biometric photo pipeline: detect, measure, guide, crop, encode (no Kivy).

- landmarks: MediaPipe FaceMesh (478 points with iris), live and still
- geometry: eyes, chin, crown, face size, head pose from the landmarks
- rules: every limit of the photo check (config section [photo])
- crop: the 35 × 45 mm box, clamped into camera frames; cutting; the JPEG file
- regions, segmentation: skin, face halves, inner face; person and background
- measures: the quality measures (ISO/IEC 29794-5 / OFIQ names, scores 0–100)
- assessment, analyzer: one photo or frame in, an Assessment out (`PhotoAnalyzer`)
- guidance: what the citizen should do, in plain words
- images: reading image files, converting arrays
- samples, portraits: test cases from two public-domain portraits
- commands: `kiosk photo assess|crop|cases`
"""
