process.env.BAOXUE_TEST_TARGET = 'postgresql';
