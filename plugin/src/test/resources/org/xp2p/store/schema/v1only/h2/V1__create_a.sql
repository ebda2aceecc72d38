-- fixture: the first version
CREATE TABLE a (id INT PRIMARY KEY);
