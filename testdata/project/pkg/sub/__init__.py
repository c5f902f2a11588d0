__all__ = ["text_utils"]
