/**
 * The most common passwords of public breach corpora (lower-cased). Short ones also fail the length
 * rule; they are kept so the list stays recognisable and a future length change does not let them in.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456', 'password', '12345678', 'qwerty', '123456789', '12345', '1234', '111111', '1234567', 'dragon',
  '123123', 'baseball', 'abc123', 'football', 'monkey', 'letmein', '696969', 'shadow', 'master', '666666',
  'qwertyuiop', '123321', 'mustang', '1234567890', 'michael', '654321', 'superman', '1qaz2wsx', '7777777', '121212',
  '000000', 'qazwsx', '123qwe', 'killer', 'trustno1', 'jordan', 'jennifer', 'zxcvbnm', 'asdfgh', 'hunter',
  'buster', 'soccer', 'harley', 'batman', 'andrew', 'tigger', 'sunshine', 'iloveyou', '2000', 'charlie',
  'robert', 'thomas', 'hockey', 'ranger', 'daniel', 'starwars', 'klaster', '112233', 'george', 'computer',
  'michelle', 'jessica', 'pepper', '1111', 'zxcvbn', '555555', '11111111', '131313', 'freedom', '777777',
  'pass', 'maggie', '159753', 'aaaaaa', 'ginger', 'princess', 'joshua', 'cheese', 'amanda', 'summer',
  'love', 'ashley', 'nicole', 'chelsea', 'biteme', 'matthew', 'access', 'yankees', '987654321', 'dallas',
  'austin', 'thunder', 'taylor', 'matrix', 'password1', 'password123', 'passw0rd', 'p@ssw0rd', 'welcome', 'welcome1',
  'admin', 'admin123', 'administrator', 'qwerty123', 'qwerty12345', '1q2w3e4r', '1q2w3e4r5t', '1q2w3e4r5t6y', 'q1w2e3r4t5', 'zaq12wsx',
  'letmein123', 'iloveyou1', 'princess1', 'football1', 'baseball1', 'sunshine1', 'changeme', 'changeme123', 'secret123', 'qwertyuiop123',
  '0123456789', '1234567891', '12345678910', 'abcd1234', 'abcdef123', 'abc12345', 'asdfghjkl', 'asdfasdf', 'passwordpassword', 'password1234',
  'iloveyou123', 'welcome123', 'trustno1trustno1', 'Password1!', 'P@ssword123', 'Passw0rd!', 'Welcome1!', 'Summer2024!', 'Winter2024!', 'Spring2024!',
].map((p) => p.toLowerCase()));
