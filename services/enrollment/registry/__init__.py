"""The poverty registry (建档立卡): roster imports and the people in it (REG-*)."""
