"""The calibration prompts used when a recipe gives none: short math word problems with step-by-step solutions, the
kind of text a Long-to-Short merge is judged on."""

MATH_CALIBRATION_PROMPTS: tuple[str, ...] = (
    "Question: Tom has 12 apples and gives 5 to his sister. How many apples does he have left?\n"
    "Answer: He starts with 12 apples. He gives away 5, so 12 - 5 = 7. Tom has 7 apples left.",
    "Question: A notebook costs $3 and a pen costs $2. How much do 4 notebooks and 3 pens cost?\n"
    "Answer: Four notebooks cost 4 * 3 = 12 dollars. Three pens cost 3 * 2 = 6 dollars. Together 12 + 6 = 18 dollars.",
    "Question: A train travels 180 km in 3 hours. What is its average speed?\n"
    "Answer: Speed is distance divided by time: 180 / 3 = 60. The average speed is 60 km per hour.",
    "Question: What is 15% of 240?\nAnswer: 15% is 0.15. Then 0.15 * 240 = 36. So 15% of 240 is 36.",
    "Question: Solve 3x + 7 = 22 for x.\n"
    "Answer: Subtract 7 from both sides: 3x = 15. Divide both sides by 3: x = 5.",
    "Question: A rectangle is 8 cm long and 5 cm wide. What are its area and perimeter?\n"
    "Answer: The area is 8 * 5 = 40 square cm. The perimeter is 2 * (8 + 5) = 26 cm.",
    "Question: Sara reads 25 pages a day. How many days does she need for a 300-page book?\n"
    "Answer: She needs 300 / 25 = 12 days to read the whole book.",
    "Question: The sum of two consecutive integers is 41. What are they?\n"
    "Answer: Let the smaller be n, so n + (n + 1) = 41. Then 2n = 40 and n = 20. The integers are 20 and 21.",
    "Question: A shirt costs $40 and is on sale for 25% off. What is the sale price?\n"
    "Answer: The discount is 0.25 * 40 = 10 dollars. The sale price is 40 - 10 = 30 dollars.",
    "Question: What is the least common multiple of 6 and 8?\n"
    "Answer: Multiples of 8 are 8, 16, 24. The first one divisible by 6 is 24, so the LCM is 24.",
    "Question: A bag has 3 red and 5 blue marbles. What is the probability of drawing a red marble?\n"
    "Answer: There are 3 + 5 = 8 marbles and 3 are red, so the probability is 3/8.",
    "Question: If 5 workers build a wall in 12 days, how long do 6 workers take at the same rate?\n"
    "Answer: The wall takes 5 * 12 = 60 worker-days. With 6 workers it takes 60 / 6 = 10 days.",
    "Question: Find the hypotenuse of a right triangle with legs 9 and 12.\n"
    "Answer: By Pythagoras, c^2 = 9^2 + 12^2 = 81 + 144 = 225, so c = 15.",
    "Question: A tank holds 500 liters and drains 20 liters per minute. When is it half empty?\n"
    "Answer: Half of 500 is 250 liters. Draining 250 liters takes 250 / 20 = 12.5 minutes.",
    "Question: What is the sum of the integers from 1 to 50?\n"
    "Answer: The sum is n(n + 1)/2 with n = 50: 50 * 51 / 2 = 1275.",
    "Question: Anna is twice as old as Ben. In 5 years their ages will sum to 40. How old is Ben now?\n"
    "Answer: Let Ben be b, so Anna is 2b. In 5 years: (b + 5) + (2b + 5) = 40, so 3b = 30 and Ben is 10.",
)
