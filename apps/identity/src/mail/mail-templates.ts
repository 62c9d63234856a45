import type { OutgoingMail } from '@saas/service-kit';

/** The mails identity sends. Links point at the web app; the token is only ever in the body. */
export const MailTemplates = {
  verifyEmail(to: string, link: string, ttlHours: number): OutgoingMail {
    return {
      to,
      kind: 'verify-email',
      subject: 'Verify your email address',
      text: `Welcome!\n\nConfirm your email address by opening this link (valid for ${ttlHours} hours):\n\n${link}\n\nIf you did not create an account, ignore this mail.`,
    };
  },

  alreadyRegistered(to: string, loginLink: string, resetLink: string): OutgoingMail {
    return {
      to,
      kind: 'already-registered',
      subject: 'You already have an account',
      text: `Someone (hopefully you) tried to register with this address, which already has an account.\n\nSign in: ${loginLink}\nForgot your password? ${resetLink}\n\nIf it was not you, ignore this mail: nothing changed.`,
    };
  },

  resetPassword(to: string, link: string, ttlMinutes: number): OutgoingMail {
    return {
      to,
      kind: 'reset-password',
      subject: 'Reset your password',
      text: `Choose a new password by opening this link (valid for ${ttlMinutes} minutes, once):\n\n${link}\n\nSetting a new password signs you out everywhere. If you did not ask for this, ignore this mail.`,
    };
  },

  passwordChanged(to: string): OutgoingMail {
    return {
      to,
      kind: 'password-changed',
      subject: 'Your password was changed',
      text: 'The password of your account was just changed and every session was signed out. If it was not you, reset your password now.',
    };
  },
};
