# Runs PermissionMatrixTest's operations as the calling user, one per input line (OP<TAB>PATH<TAB>ARG), and prints
# "INDEX ALLOW" or "INDEX ERRNO-NAME" for each: what the kernel and the mount answered to real system calls.
import errno, grp, os, pwd, sys


def run(op, p, arg):
    if op in ('STAT', 'STAT_MISSING'):
        os.lstat(p)
    elif op == 'LIST':
        # ls -l: the names, then each one's attributes.
        for name in os.listdir(p):
            os.lstat(os.path.join(p, name))
    elif op == 'CREATE':
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    elif op == 'MKDIR':
        os.mkdir(p)
    elif op == 'DELETE':
        os.unlink(p)
    elif op == 'RENAME':
        os.rename(p, arg)
    elif op == 'READ':
        with open(p, 'rb') as f:
            f.read()
    elif op == 'WRITE':
        with open(p, 'wb') as f:
            f.write(b'written\n')
    elif op == 'APPEND':
        with open(p, 'ab') as f:
            f.write(b'appended\n')
    elif op == 'TOUCH':
        os.utime(p)
    elif op == 'SET_TIMES':
        os.utime(p, (1577836800, 1577836800))
    elif op == 'SETXATTR':
        os.setxattr(p, 'user.matrix', b'v')
    elif op == 'CHMOD':
        os.chmod(p, int(arg, 8))
    elif op == 'CHOWN':
        os.chown(p, pwd.getpwnam(arg).pw_uid, -1)
    elif op == 'CHGRP':
        os.chown(p, -1, grp.getgrnam(arg).gr_gid)
    else:
        raise ValueError('unknown operation ' + op)


with open(sys.argv[1]) as cases:
    for i, line in enumerate(cases):
        op, path, arg = line.rstrip('\n').split('\t')
        try:
            run(op, path, arg)
            result = 'ALLOW'
        except OSError as e:
            result = errno.errorcode.get(e.errno, str(e.errno))
        print(i, result, flush=True)
