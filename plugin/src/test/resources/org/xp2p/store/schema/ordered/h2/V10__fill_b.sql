-- runs after V2 (numeric order, not text order): needs table b
INSERT INTO b (id, note) VALUES (10, 'ten');
