from hardware.speech.espeak import EspeakSpeaker, MemorySpeaker, Speaker

__all__ = ["EspeakSpeaker", "MemorySpeaker", "Speaker"]
