"""The login plugin's demo content: the site's admin (a password made
here, printed by tools/demo), a moderator, experts and members of the
association.  Fictional people; addresses that cannot receive mail."""
import os
import secrets

# (email, name, role)
PEOPLE = [
    ('moderation@reseau-temps-partage.invalid', 'Lucien Marchetti',
     'moderator'),
    ('helene.vasseur@example.org', 'Hélène Vasseur', 'expert'),
    ('karim.benhaddou@example.org', 'Karim Benhaddou', 'expert'),
    ('odile.prevert@example.org', 'Odile Prévert', 'expert'),
    ('bastien.leroux@example.org', 'Bastien Le Roux', 'member'),
    ('maelle.guerin@example.org', 'Maëlle Guérin', 'member'),
]

ADMIN = ('admin@reseau-temps-partage.invalid', 'Claire Fontaine')


def _password():
    # 18 random bytes: 24 characters, far from any list of common ones.
    return secrets.token_urlsafe(18)


def load(st):
    """Creates the accounts (each with a password of its own) and
    returns the lines tools/demo prints: the admin's credentials."""
    email, name = ADMIN
    admin_pw = _password()
    st.admin('user', 'add', email, '--role', 'admin', '--name', name,
             '--password-file', '-', input=admin_pw + '\n')
    for email, name, role in PEOPLE:
        st.admin('user', 'add', email, '--role', role, '--name', name,
                 '--password-file', '-', input=_password() + '\n')
    # For the browser tests: the admin's credentials, readable by root only.
    fd = os.open(os.path.join(st.run, 'demo-admin'),
                 os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write('%s\n%s\n' % (ADMIN[0], admin_pw))
    return ['admin console: %s/aparte/admin' % st.base,
            '  admin: %s' % ADMIN[0],
            '  password: %s' % admin_pw,
            '  (other accounts: aparte-admin --config %s user list; '
            'their passwords are unknown: use "Mot de passe oublié")'
            % st.conf]
