"""Fair booking rounds: nights drawn by a published seed and a snake draft."""
