/** The moods that pieces are tagged with and suggestions are reported in. */
export type Mood =
  | 'joyful'
  | 'upbeat'
  | 'festive'
  | 'triumphant'
  | 'romantic'
  | 'tender'
  | 'calm'
  | 'comforting'
  | 'hopeful';

/** A piece of music that can be suggested for a card. */
export interface Piece {
  title: string;
  /** Composer, or "Traditional" for folk melodies of unknown authorship. */
  artist: string;
  /** Moods the piece suits, the best fit first. */
  moods: readonly Mood[];
  /** Lowercase words of a message that make the piece a strong fit, such as "birthday". */
  keywords: readonly string[];
}

/**
 * Pieces to suggest: classical works and traditional melodies whose compositions are in the
 * public domain (composed or first published before 1929). Recordings of them may still be
 * under copyright, so a suggestion names the piece, never a recording.
 */
export const catalogue: readonly Piece[] = [
  {
    title: 'Ode to Joy (Symphony No. 9)',
    artist: 'Ludwig van Beethoven',
    moods: ['joyful', 'triumphant', 'festive'],
    keywords: ['joy', 'celebrate', 'celebration'],
  },
  {
    title: 'Canon in D',
    artist: 'Johann Pachelbel',
    moods: ['tender', 'romantic', 'calm'],
    keywords: ['wedding', 'anniversary', 'married'],
  },
  {
    title: 'Clair de Lune',
    artist: 'Claude Debussy',
    moods: ['calm', 'romantic', 'tender'],
    keywords: ['moon', 'night', 'dream'],
  },
  {
    title: 'Gymnopédie No. 1',
    artist: 'Erik Satie',
    moods: ['calm', 'comforting'],
    keywords: ['quiet', 'rest', 'peace', 'peaceful'],
  },
  {
    title: 'Morning Mood (Peer Gynt)',
    artist: 'Edvard Grieg',
    moods: ['hopeful', 'calm'],
    keywords: ['morning', 'recover', 'recovery', 'better', 'heal', 'healing', 'new'],
  },
  {
    title: 'The Entertainer',
    artist: 'Scott Joplin',
    moods: ['upbeat', 'joyful'],
    keywords: ['fun', 'party', 'laugh', 'funny'],
  },
  {
    title: "Wedding March (A Midsummer Night's Dream)",
    artist: 'Felix Mendelssohn',
    moods: ['triumphant', 'joyful', 'romantic'],
    keywords: ['wedding', 'married', 'marriage', 'bride', 'groom'],
  },
  {
    title: 'Ave Maria',
    artist: 'Franz Schubert',
    moods: ['comforting', 'calm', 'tender'],
    keywords: ['prayer', 'prayers', 'peace', 'condolences'],
  },
  {
    title: "Salut d'Amour",
    artist: 'Edward Elgar',
    moods: ['romantic', 'tender'],
    keywords: ['love', 'sweetheart', 'valentine', 'engaged', 'engagement'],
  },
  {
    title: 'Spring (The Four Seasons)',
    artist: 'Antonio Vivaldi',
    moods: ['joyful', 'upbeat', 'hopeful'],
    keywords: ['spring', 'new', 'fresh', 'start'],
  },
  {
    title: 'Happy Birthday to You',
    artist: 'Mildred J. Hill and Patty Smith Hill',
    moods: ['festive', 'joyful'],
    keywords: ['birthday', 'bday', 'cake', 'candles'],
  },
  {
    title: 'Jingle Bells',
    artist: 'James Lord Pierpont',
    moods: ['festive', 'upbeat'],
    keywords: ['christmas', 'xmas', 'holiday', 'holidays', 'snow', 'winter', 'santa'],
  },
  {
    title: 'Air on the G String',
    artist: 'Johann Sebastian Bach',
    moods: ['calm', 'comforting', 'tender'],
    keywords: ['grace', 'gentle'],
  },
  {
    title: 'Nimrod (Enigma Variations)',
    artist: 'Edward Elgar',
    moods: ['comforting', 'hopeful'],
    keywords: ['memory', 'memories', 'remember', 'remembering', 'loss'],
  },
  {
    title: 'Ombra mai fù (Largo from Xerxes)',
    artist: 'George Frideric Handel',
    moods: ['comforting', 'calm'],
    keywords: ['shade', 'comfort', 'sympathy'],
  },
  {
    title: 'Hallelujah Chorus (Messiah)',
    artist: 'George Frideric Handel',
    moods: ['triumphant', 'festive'],
    keywords: ['congratulations', 'congrats', 'achievement', 'finally'],
  },
  {
    title: 'Eine kleine Nachtmusik',
    artist: 'Wolfgang Amadeus Mozart',
    moods: ['upbeat', 'joyful'],
    keywords: ['thanks', 'thank', 'cheers'],
  },
  {
    title: 'Pomp and Circumstance March No. 1',
    artist: 'Edward Elgar',
    moods: ['triumphant'],
    keywords: ['graduation', 'graduate', 'graduated', 'degree', 'promotion', 'proud'],
  },
  {
    title: 'Liebestraum No. 3',
    artist: 'Franz Liszt',
    moods: ['romantic', 'tender'],
    keywords: ['love', 'darling', 'dearest', 'heart'],
  },
  {
    title: 'Träumerei (Kinderszenen)',
    artist: 'Robert Schumann',
    moods: ['tender', 'calm', 'comforting'],
    keywords: ['child', 'childhood', 'baby', 'dream'],
  },
  {
    title: 'Amazing Grace',
    artist: 'Traditional',
    moods: ['comforting', 'hopeful'],
    keywords: ['grace', 'faith', 'loss', 'passed', 'condolences'],
  },
  {
    title: 'Auld Lang Syne',
    artist: 'Traditional',
    moods: ['festive', 'tender'],
    keywords: ['year', 'friendship', 'friends', 'farewell', 'goodbye', 'retirement'],
  },
  {
    title: 'Silent Night',
    artist: 'Franz Xaver Gruber',
    moods: ['festive', 'calm'],
    keywords: ['christmas', 'xmas', 'holiday', 'holidays', 'peace'],
  },
  {
    title: 'Waltz of the Flowers (The Nutcracker)',
    artist: 'Pyotr Ilyich Tchaikovsky',
    moods: ['joyful', 'festive', 'romantic'],
    keywords: ['flowers', 'dance', 'holiday', 'holidays'],
  },
  {
    title: 'The Blue Danube',
    artist: 'Johann Strauss II',
    moods: ['joyful', 'romantic', 'upbeat'],
    keywords: ['dance', 'waltz', 'anniversary'],
  },
  {
    title: 'Wiegenlied (Lullaby), Op. 49 No. 4',
    artist: 'Johannes Brahms',
    moods: ['tender', 'calm', 'comforting'],
    keywords: ['baby', 'newborn', 'sleep', 'rest'],
  },
  {
    title: 'Méditation (Thaïs)',
    artist: 'Jules Massenet',
    moods: ['comforting', 'tender'],
    keywords: ['thinking', 'thoughts', 'sorry'],
  },
  {
    title: 'Spring Song (Songs Without Words)',
    artist: 'Felix Mendelssohn',
    moods: ['hopeful', 'upbeat'],
    keywords: ['soon', 'well', 'recover', 'better', 'spring'],
  },
  {
    title: 'Londonderry Air (Danny Boy)',
    artist: 'Traditional',
    moods: ['comforting', 'tender'],
    keywords: ['miss', 'missing', 'home', 'farewell'],
  },
  {
    title: "For He's a Jolly Good Fellow",
    artist: 'Traditional',
    moods: ['festive', 'joyful'],
    keywords: ['congratulations', 'congrats', 'retirement', 'promotion', 'cheers'],
  },
  {
    title: "Prince of Denmark's March (Trumpet Voluntary)",
    artist: 'Jeremiah Clarke',
    moods: ['triumphant', 'joyful'],
    keywords: ['wedding', 'bride', 'ceremony'],
  },
  {
    title: "Jesu, Joy of Man's Desiring",
    artist: 'Johann Sebastian Bach',
    moods: ['hopeful', 'calm', 'comforting'],
    keywords: ['faith', 'blessing', 'blessings', 'thankful', 'grateful'],
  },
  {
    title: 'Pavane, Op. 50',
    artist: 'Gabriel Fauré',
    moods: ['comforting', 'calm'],
    keywords: ['remember', 'memory', 'gentle'],
  },
];
