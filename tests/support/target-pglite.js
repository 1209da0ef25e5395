process.env.BAOXUE_TEST_TARGET = 'pglite';
