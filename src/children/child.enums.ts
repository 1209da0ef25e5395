import { defineEnum } from '../core/enums';

export const Gender = defineEnum('Gender', '性别 Gender', { MALE: '男 male', FEMALE: '女 female' });
export type Gender = keyof typeof Gender.labels;
