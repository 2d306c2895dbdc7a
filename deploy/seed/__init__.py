"""A synthetic county shaped like 姚安 (532325): generated from a seed, loaded through the four
services' own HTTP interfaces.

    python -m deploy.seed generate --out var/seed         # the files only
    python -m deploy.seed load                            # generate and load into running services

Nobody in it is a real person: names are drawn from common surnames and given-name characters,
ID numbers are valid GB 11643 numbers built from random birth dates."""
