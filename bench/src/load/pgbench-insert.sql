INSERT INTO messages (content) VALUES ('bench message');
