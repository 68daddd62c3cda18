// The built-in English text the tiny models' tokenizer is learnt from: plain prose on everyday
// subjects, so that common words and word pieces become single tokens.
#include "nineteen/models/tiny_llama_maker.hpp"

namespace nineteen::models {

std::string_view tiny_llama_corpus() {
  static const char* const text = R"corpus(The morning was cold and clear, and the river ran quietly past the old mill.
A small boat moved along the water while two children watched from the bridge. They counted the
birds that rose from the reeds: one, two, three, and then a whole cloud of them, turning together
in the pale light. Their grandmother called them in for breakfast, and they ran home across the field.

How does a computer remember things? It stores numbers in memory, and every number is made of bits.
A bit is either zero or one. Eight bits make a byte, and a byte can hold any value from 0 to 255.
When you type a letter, the keyboard sends a code, the program looks it up, and the screen shows the
shape of the letter. Everything a computer does, from playing music to drawing pictures, is built
from these simple steps repeated millions of times every second.

Question: What is the capital of France?
Answer: The capital of France is Paris. It is known for its museums, its cafes and the river Seine.

Question: Why is the sky blue?
Answer: Sunlight is made of many colours. Air scatters the blue light more than the red light, so
when we look up during the day we see blue light coming from every part of the sky.

To bake a simple loaf of bread, mix flour, water, salt and yeast in a large bowl. Knead the dough
for ten minutes until it feels smooth. Leave it in a warm place for an hour so that it can rise,
then shape it, let it rise again, and bake it in a hot oven for about forty minutes. The bread is
ready when it sounds hollow as you tap the bottom.

The history of the city begins with a small market by the river. Farmers brought their grain, and
traders came from the coast with salt and cloth. Over the years the market grew into a town, the
town built walls, and the walls were later pulled down to make room for wide streets, parks and
the railway station that still stands in the centre today.

She opened the letter slowly. "Dear friend," it began, "I am writing to tell you that I will
arrive on Tuesday. Please do not go to any trouble. I only want to see you, to walk by the sea
as we used to, and to talk about everything that has happened since we last met."

Good habits are easier to keep than to start. Sleep at the same time every night, drink enough
water, take a walk after lunch, and write down three things you want to finish each day. Small
steps, taken often, carry you further than great leaps taken once.

The weather today will be mostly sunny with a light wind from the west. Temperatures will reach
eighteen degrees in the afternoon. Tonight there may be some rain in the north, and tomorrow will
be cooler, with clouds in the morning and bright spells later in the day.

A good teacher does not simply give answers. She asks questions that help her students think,
listens carefully to what they say, and shows them how to check their own work. Learning is not
about remembering facts; it is about understanding why those facts are true.

User: Can you help me write a short poem about the sea?
Assistant: Of course. Here is one:
The sea is wide, the sea is deep,
It sings the sailors off to sleep.
It holds the moon, it holds the sun,
And waits for ships when day is done.

In the garden there are roses, tulips and a small apple tree. Every spring the tree is covered in
white flowers, and every autumn it gives more apples than the family can eat. They share them with
the neighbours, who bring back jars of jam and, once, a whole apple pie.

Numbers tell stories too. If a train leaves at nine o'clock and travels at sixty miles an hour, it
will have gone one hundred and twenty miles by eleven. If you save five coins every week, you will
have two hundred and sixty coins at the end of the year. Counting, adding and comparing help us
understand the world and plan for the future.
)corpus";
  return text;
}

}  // namespace nineteen::models
