"""The online feedback board (网上留言板, procedure 4.16): tenants (and, where
a centre allows it, the public) post a suggestion, complaint or question;
each post is a request of the service desk's log, followed by the centre's
web follow-up officer; a staff reply reaches the board only after the
responsible department approved it (a Wagtail workflow); hot issues are
grouped with a response plan and an owner; a leader-approved block gives
the centre's telephone numbers."""
