"""Chinese names drawn from common surnames and given-name characters (no real persons)."""

from __future__ import annotations

import random

# Common surnames, most frequent first, with rough weights; 姚安 has many 李, 张, 杨, 王, 罗.
SURNAMES = "李王张杨刘陈赵周罗何马黄吴徐孙胡朱高林郭段自普字鲁施苏董蒋"
SURNAME_WEIGHTS = (
    14, 10, 10, 9, 7, 6, 5, 4, 5, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1,
)  # fmt: skip
MALE_CHARS = "国建明华德文志永学正春军平海林强伟忠光荣福贵兴云成祥富勇涛斌俊杰"
FEMALE_CHARS = "秀英兰芳玉珍桂凤丽美琼红霞燕萍梅菊花云娟婷艳琴慧翠仙莲芬"


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, sex: str) -> str:
    chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
    if rng.random() < 0.25:
        return rng.choice(chars)
    return rng.choice(chars) + rng.choice(chars)
