import type { Occasion, Tone } from '../../generated/resolvers';

/**
 * Opening sentences of local suggestions, by occasion and tone. Each entry is one sentence and
 * contains `{name}`, the recipient's name. Every list needs at least three entries because one
 * generation uses three different ones.
 */
export const occasionSentences: Record<Occasion, Record<Tone, readonly string[]>> = {
  BIRTHDAY: {
    WARM: [
      'Happy birthday, {name}, and may the year ahead be as kind to you as you are to everyone around you.',
      'Wishing you the happiest of birthdays, {name}, full of good company and easy laughter.',
      'Happy birthday, {name}, and I hope today feels as special as you make other people feel.',
      'Sending you a big birthday hug, {name}, and every good wish for the year ahead.',
      '{name}, I hope your birthday is filled with the people and things you love most.',
    ],
    FUNNY: [
      "Happy birthday, {name}, and don't worry about the number, the candles are just there to keep the cake warm.",
      "Happy birthday, {name}, you're not getting older, you're just unlocking better snacks.",
      "{name}, another trip around the sun and you still haven't asked for directions, happy birthday!",
      'Happy birthday, {name}, and remember that people who have more birthdays live longer, so keep it up!',
      "Cake first and questions later, {name}, because it's your birthday!",
    ],
    FORMAL: [
      'Dear {name}, please accept my warmest wishes on your birthday.',
      'I wish you a very happy birthday, {name}, and a year of good health and success.',
      'On the occasion of your birthday, {name}, I send my sincere congratulations and best wishes.',
      'Many happy returns of the day, {name}, with every good wish for the year ahead.',
      'Dear {name}, may this birthday mark the start of a rewarding and fulfilling year.',
    ],
    POETIC: [
      'Another ring in the tree of your years, {name}, and each one has made the shade a little kinder.',
      'Happy birthday, {name}, may your year unfold like a long summer evening, golden and unhurried.',
      '{name}, today the calendar turns a page that was written just for you.',
      'May your birthday candles light a path of bright days ahead, dear {name}.',
      'Happy birthday, {name}, the world has been a little brighter since the day you arrived in it.',
    ],
  },
  ANNIVERSARY: {
    WARM: [
      "Happy anniversary, {name}, and here's to every year so far and all the ones still ahead!",
      'Wishing you a wonderful anniversary, {name}, and a day to celebrate all the love it stands for.',
      'Happy anniversary, {name}, may this year bring even more love than the last.',
      'Sending warm anniversary wishes, {name}, for a day as lovely as the years it celebrates.',
      'Happy anniversary, {name}, may the years keep growing sweeter, one day at a time.',
    ],
    FUNNY: [
      "Happy anniversary, {name}, and congratulations on another year of deciding what's for dinner together!",
      "Happy anniversary, {name}, here's to love, laughter and never agreeing on the thermostat.",
      '{name}, happy anniversary, you make staying in love look easier than assembling flat-pack furniture.',
      'Happy anniversary, {name}, still sharing the last slice of pizza after all these years is real love.',
      'Cheers to another year, {name}, and to the remote control that has survived it all.',
    ],
    FORMAL: [
      'Dear {name}, please accept my heartfelt congratulations on your anniversary.',
      'Warmest wishes on your anniversary, {name}, and for many more happy years.',
      'On this anniversary, {name}, I send my sincere congratulations and every good wish.',
      'Dear {name}, may your anniversary be a day of joy and fond remembrance.',
      'Congratulations on reaching another anniversary, {name}, a milestone well worth celebrating.',
    ],
    POETIC: [
      'Happy anniversary, {name}, may your love keep rising like a tide that never forgets the shore.',
      '{name}, love measured in years is still counted best in small mornings and shared silences.',
      'Another year woven into the same bright thread, {name}, and the pattern only grows more beautiful.',
      'Happy anniversary, {name}, may every season ahead bloom like the first.',
      'Like two rivers that became one, {name}, your story only deepens with time.',
    ],
  },
  THANK_YOU: {
    WARM: [
      'Thank you so much, {name}, your kindness meant more to me than I can say.',
      '{name}, thank you from the bottom of my heart for everything you did.',
      "I'm so grateful for you, {name}, thank you for being so generous.",
      "Thank you, {name}, you made a real difference and I won't forget it.",
      'A big thank you, {name}, for your thoughtfulness and your time.',
    ],
    FUNNY: [
      "Thank you, {name}, I'd write a longer note, but I'm still recovering from how nice you were.",
      "{name}, you're officially my favorite person this week, thank you!",
      "Thanks a million, {name}, I'd pay you back in cash, but please accept this card instead.",
      'Thank you, {name}, and if gratitude were calories, this card would be a whole cake.',
      "{name}, thank you, you're proof that superheroes don't always wear capes.",
    ],
    FORMAL: [
      'Dear {name}, please accept my sincere thanks for your generous help.',
      'I would like to express my heartfelt gratitude, {name}, for your kindness and support.',
      'Thank you, {name}, for your thoughtfulness, which is greatly appreciated.',
      'Dear {name}, your assistance has been invaluable, and I am truly grateful.',
      'With sincere appreciation, {name}, I thank you for all that you have done.',
    ],
    POETIC: [
      'Thank you, {name}, your kindness landed softly, like sunlight on a cold morning.',
      '{name}, some gifts are wrapped in paper and some in time and care, and yours was the second kind.',
      'Gratitude is a small word for a big feeling, {name}, but it is yours all the same.',
      'Thank you, {name}, for planting a kindness that keeps on blooming.',
      'Like a lantern on a dark path, {name}, your help showed me the way.',
    ],
  },
  HOLIDAY: {
    WARM: [
      'Happy holidays, {name}, and may your season be cozy and full of good food and good company.',
      'Warm holiday wishes to you, {name}, and a bright, happy new year.',
      '{name}, I hope the holidays bring you rest, laughter and time with the people you love.',
      'Sending you lots of love this holiday season, {name}.',
      'Happy holidays, {name}, may your home be warm and your heart be full.',
    ],
    FUNNY: [
      'Happy holidays, {name}, may your cookies be plentiful and your relatives be punctual!',
      '{name}, wishing you a holiday season with zero tangled fairy lights.',
      "Happy holidays, {name}, calories don't count in December, I checked.",
      "Season's greetings, {name}, and may your wrapping paper always stick on the first try!",
      'Happy holidays, {name}, may your leftovers last longer than your resolutions.',
    ],
    FORMAL: [
      'Dear {name}, please accept my warmest wishes for the holiday season and the new year.',
      "Season's greetings, {name}, with every good wish for health and happiness in the year ahead.",
      'I wish you and your loved ones a peaceful holiday season, {name}.',
      'Dear {name}, may the coming year bring you prosperity and contentment.',
      'With best wishes for a joyful holiday season, {name}, and a successful new year.',
    ],
    POETIC: [
      'May the holidays wrap you in candlelight and quiet snow, {name}.',
      '{name}, may your season glow like a window lit on a winter night.',
      "Happy holidays, {name}, may the year's last days be gentle and its first days bright.",
      'Like the hush after snowfall, {name}, may peace settle over your home this season.',
      '{name}, may the longest nights bring the warmest gatherings.',
    ],
  },
  SYMPATHY: {
    WARM: [
      "{name}, I'm so sorry for your loss, and I'm holding you close in my thoughts.",
      'Thinking of you with so much love, {name}, during this very hard time.',
      "{name}, please know I'm here for you, for anything, at any hour.",
      "I'm so deeply sorry, {name}, and I'm sending you all my love and strength.",
      '{name}, there are no right words, but I want you to know how much I care.',
    ],
    // A light touch that stays gentle: comfort, shared memories and company, never jokes about
    // the loss itself.
    FUNNY: [
      "{name}, I'm so sorry, and whenever you're ready I'll bring the tea, the biscuits and a listening ear.",
      'Thinking of you, {name}, and of all the laughter, which I hope will bring you comfort in time.',
      "{name}, I'm so sorry for your loss, and I'm here with snacks, silly stories and hugs whenever you need them.",
      'Sending love, {name}, and a standing offer of good company and bad jokes whenever you want them.',
      "{name}, I'm so sorry, and I hope the stories you share in the days ahead bring a few smiles through the tears.",
    ],
    FORMAL: [
      'Dear {name}, please accept my deepest condolences on your loss.',
      'With heartfelt sympathy, {name}, I am thinking of you and your family at this difficult time.',
      'Dear {name}, I was deeply saddened to hear of your loss and offer my sincere condolences.',
      'Please accept my sympathy, {name}, and know that you are in my thoughts.',
      'Dear {name}, may you find comfort in the love of those around you.',
    ],
    POETIC: [
      '{name}, love does not end with a goodbye, it only changes the shape of its light.',
      'May gentle memories keep you company, {name}, like stars that shine long after dusk.',
      '{name}, may the love you shared be a quiet light for the days ahead.',
      'Thinking of you, {name}, as the seasons turn slowly toward comfort.',
      '{name}, may peace find you softly, like morning light through a curtain.',
    ],
  },
  CONGRATULATIONS: {
    WARM: [
      "Congratulations, {name}, I'm so proud of you and so happy for you!",
      '{name}, you worked so hard for this, and you deserve every bit of it, congratulations!',
      'Huge congratulations, {name}, this is such wonderful news.',
      "Congratulations, {name}, I can't wait to see where this takes you.",
      '{name}, what a wonderful achievement, congratulations from the bottom of my heart!',
    ],
    FUNNY: [
      "Congratulations, {name}, and please remember us little people now that you're famous!",
      "{name}, you did it, and I'd throw confetti if I weren't still finding it in the carpet from last time!",
      "Congratulations, {name}, clearly all that hard work wasn't just an elaborate excuse to skip chores.",
      'Well done, {name}, your victory dance is now officially allowed in public!',
      'Congratulations, {name}, you make success look suspiciously easy.',
    ],
    FORMAL: [
      'Dear {name}, please accept my warmest congratulations on your achievement.',
      'Congratulations, {name}, on this well-deserved success.',
      'I was delighted to hear your news, {name}, and offer my sincere congratulations.',
      'Dear {name}, your accomplishment is a credit to your dedication and talent.',
      'Congratulations, {name}, and best wishes for your continued success.',
    ],
    POETIC: [
      'Congratulations, {name}, the seeds you planted have finally bloomed.',
      '{name}, today the summit is yours, and the view is as bright as your effort deserved.',
      'Every step you took has led here, {name}, and the road ahead shines even brighter.',
      'Congratulations, {name}, may this moment be the first light of many bright days.',
      '{name}, you reached for the stars and they reached right back.',
    ],
  },
  GET_WELL: {
    WARM: [
      "Get well soon, {name}, I'm thinking of you and sending lots of love.",
      "{name}, I hope you're feeling better with every day, and I'm here if you need anything.",
      'Sending you healing thoughts and a big gentle hug, {name}.',
      'Rest up, {name}, and be kind to yourself while you recover.',
      "{name}, I'm wishing you a speedy recovery and brighter days very soon.",
    ],
    FUNNY: [
      'Get well soon, {name}, because the world is far too boring without you in it!',
      "{name}, doctor's orders: lots of rest, plenty of soup and unlimited TV.",
      'Get well soon, {name}, your couch has filed a complaint about the overtime.',
      '{name}, resting is the fastest way to recover, so consider this card a permission slip.',
      'Get better soon, {name}, because nobody else laughs at my jokes quite like you.',
    ],
    FORMAL: [
      'Dear {name}, I wish you a swift and complete recovery.',
      'Please accept my best wishes for your recovery, {name}.',
      'Dear {name}, I was sorry to hear you are unwell and hope you will soon be in good health again.',
      'I send warm wishes for a speedy recovery, {name}, and a return to full strength.',
      'Dear {name}, you are in my thoughts, and I hope each day brings you renewed strength.',
    ],
    POETIC: [
      '{name}, may each new morning bring you a little more strength, like spring returning to the fields.',
      'Get well soon, {name}, may healing come to you as gently as rain.',
      '{name}, rest now, and let the days mend you slowly and surely.',
      'May brighter days bloom for you soon, {name}, one petal at a time.',
      '{name}, even the tallest trees rest through winter before they flourish again.',
    ],
  },
  LOVE: {
    WARM: [
      '{name}, I love you more with every day we share.',
      'You make my life so much brighter, {name}, and I love you for it.',
      "{name}, this is a little note to remind you how much you're loved.",
      "I'm so lucky to have you, {name}, and I love you with all my heart.",
      '{name}, being with you feels like coming home.',
    ],
    FUNNY: [
      "{name}, I love you even more than the last slice of pizza, and that's saying something.",
      'I love you, {name}, even when you steal the blankets.',
      "{name}, you're the only person I'd share my fries with, and that's how I know it's love.",
      "I love you, {name}, you're my favorite notification.",
      "{name}, if you were a vegetable you'd be a cute-cumber, and I love you.",
    ],
    FORMAL: [
      'My dearest {name}, you have my love and my deepest devotion.',
      '{name}, my affection for you grows deeper with every passing day.',
      'Dearest {name}, please know how much you are cherished.',
      '{name}, you hold a place in my heart that no one else could fill.',
      'My dear {name}, I am grateful every day for your love.',
    ],
    POETIC: [
      '{name}, you are the quiet song my heart keeps humming.',
      'In every sunrise I find another reason to love you, {name}.',
      '{name}, my heart is a compass, and it always points to you.',
      'You are the light I look for in every room, {name}.',
      "{name}, if love were a garden, I'd plant you in every season.",
    ],
  },
};
