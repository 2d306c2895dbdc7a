"""Local launcher, broker and database setup."""
