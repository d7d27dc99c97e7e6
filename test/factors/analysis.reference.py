# Independent reference for test/factors/analysis.test.ts: plain Python 3 (standard library only),
# written from the rules stated in src/factors/analysis (tradable.ts, analyse.ts, neutralise.ts), not
# from its code. `python3 test/factors/analysis.reference.py` prints the JSON pasted into the test.
import json, math
N, D = 6, 10
nan = float('nan')
# open prices, day-major rows
open_ = [
 [10.0, 20.0, 5.0, 8.0, 12.0, nan],
 [10.2, 20.4, 5.1, 8.1, 12.1, nan],
 [10.1, 20.8, 5.3, 8.3, 12.3, nan],
 [10.4, 20.6, 5.83, 8.2, 12.0, 30.0],
 [10.6, 21.0, 5.9, 8.4, nan, 30.5],
 [10.5, 10.4, 5.7, 8.6, 12.6, 31.0],
 [10.8, 10.6, 5.8, 7.74, 12.8, 30.2],
 [11.0, 10.9, 6.0, 7.9, 12.7, 30.8],
 [10.9, 11.0, 6.1, 8.1, 12.9, 31.5],
 [11.2, 11.3, 6.2, 8.3, 13.1, 31.0],
]
adj = [[1.0, 1.0 if d < 5 else 2.0, 1.0, 1.0, 1.0, 1.0] for d in range(D)]
up = [[nan]*N for _ in range(D)]; down = [[nan]*N for _ in range(D)]
up[3][2] = 5.83        # C opens at its up-limit on day 3: not buyable then
down[6][3] = 7.74      # D opens at its down-limit on day 6: not sellable then
susp = [[0]*N for _ in range(D)]; susp[4][4] = 1   # E suspended on day 4
listed = [[1]*N for _ in range(D)]
for d in range(3): listed[d][5] = 0                # F listed on day 3
st = [[0]*N for _ in range(D)]
for d in range(5, 8): st[d][1] = 1                 # B carries ST on days 5-7
factor = [
 [0.5, 0.2, 0.5, 0.1, 0.2, nan],
 [0.3, 0.3, 0.3, 0.7, 0.1, nan],
 [0.9, 0.4, 0.1, 0.4, 0.6, nan],
 [0.2, 0.8, 0.5, 0.5, 0.7, 0.1],
 [0.6, 0.6, 0.2, 0.3, 0.9, 0.4],
 [0.1, 0.5, 0.5, 0.5, 0.3, 0.8],
 [0.4, nan, 0.6, 0.2, 0.1, 0.7],
 [0.7, 0.3, 0.8, 0.6, 0.2, 0.5],
 [0.5]*6, [0.5]*6,
]
industry = [0, 0, 1, 1, 2, 2]
size = [[math.log(100 + 10*i + d) for i in range(N)] for d in range(D)]  # log market cap
H = [1, 2]; Q = 3
def fin(x): return not (isinstance(x, float) and math.isnan(x))
def can_buy(d, i):
    o = open_[d][i]
    if listed[d][i] != 1 or susp[d][i] == 1 or not fin(o) or not o > 0: return False
    u = up[d][i]
    return not (fin(u) and o >= u - 0.005)
def can_sell(d, i):
    o = open_[d][i]
    if listed[d][i] != 1 or susp[d][i] == 1 or not fin(o) or not o > 0: return False
    l = down[d][i]
    return not (fin(l) and o <= l + 0.005)
def fwd(d, i, h):
    e = d + 1; x = e + h
    if x >= D: return None
    while x < D and not can_sell(x, i): x += 1
    if x >= D: return None
    return open_[x][i]*adj[x][i] / (open_[e][i]*adj[e][i]) - 1
def avg_ranks(vals):
    order = sorted(range(len(vals)), key=lambda j: vals[j]); r = [0.0]*len(vals); a = 0
    while a < len(order):
        e = a
        while e + 1 < len(order) and vals[order[e+1]] == vals[order[a]]: e += 1
        for q in range(a, e+1): r[order[q]] = (a + e)/2 + 1
        a = e + 1
    return r
def pearson(a, b):
    n = len(a)
    if n < 3: return None
    ma = sum(a)/n; mb = sum(b)/n
    sab = sum((x-ma)*(y-mb) for x, y in zip(a, b)); saa = sum((x-ma)**2 for x in a); sbb = sum((y-mb)**2 for y in b)
    if saa == 0 or sbb == 0: return None
    return sab / math.sqrt(saa*sbb)
def neutral(xs, ids, d, ind, sz):
    xs = list(xs)
    s = [size[d][i] for i in ids] if sz else None
    if ind:
        for g in set(industry[i] for i in ids):
            mem = [j for j, i in enumerate(ids) if industry[i] == g]
            mx = sum(xs[j] for j in mem)/len(mem)
            for j in mem: xs[j] -= mx
            if s:
                ms = sum(s[j] for j in mem)/len(mem)
                for j in mem: s[j] -= ms
    if s:
        n = len(xs); mx = sum(xs)/n; ms = sum(s)/n
        sxs = sum((x-mx)*(y-ms) for x, y in zip(xs, s)); sss = sum((y-ms)**2 for y in s)
        b = sxs/sss if sss > 0 else 0
        xs = [x - mx - b*(y-ms) for x, y in zip(xs, s)]
    return xs
def run(ind=False, sz=False, ex_st=False, min_listed=0, frm=0, to=7):
    out = {'ic': [[] for _ in H], 'ric': [[] for _ in H], 'qret': [[[] for _ in range(Q)] for _ in H], 'labels': [], 'turnover': [[] for _ in range(Q)], 'universe': [], 'names': [], 'tradable': []}
    prev = None
    for d in range(frm, to+1):
        uni = [i for i in range(N) if listed[d][i] == 1 and not (ex_st and st[d][i] == 1) and not (min_listed > 0 and d - (3 if i == 5 else -100) + 1 < min_listed)]
        ids = [i for i in uni if fin(factor[d][i])]
        xs = neutral([factor[d][i] for i in ids], ids, d, ind, sz) if ids else []
        mem = [(i, x) for i, x in zip(ids, xs) if d + 1 < D and can_buy(d+1, i)]
        out['universe'].append(len(uni)); out['names'].append(len(ids)); out['tradable'].append(len(mem))
        m = len(mem)
        ranks = avg_ranks([x for _, x in mem])
        labels = {i: math.floor((r-1)*Q/m) for (i, _), r in zip(mem, ranks)} if m >= Q else None
        out['labels'].append(labels)
        for q in range(Q):
            if labels is None or prev is None: out['turnover'][q].append(None); continue
            inq = [i for i, l in labels.items() if l == q]
            out['turnover'][q].append(sum(1 for i in inq if prev.get(i) != q)/len(inq) if inq else None)
        prev = labels
        for hi, h in enumerate(H):
            pairs = [(x, fwd(d, i, h), i) for i, x in mem]
            pairs = [p for p in pairs if p[1] is not None]
            out['ic'][hi].append(pearson([p[0] for p in pairs], [p[1] for p in pairs]))
            out['ric'][hi].append(pearson(avg_ranks([p[0] for p in pairs]), avg_ranks([p[1] for p in pairs])))
            for q in range(Q):
                if labels is None: out['qret'][hi][q].append(None); continue
                rs = [p[1] for p in pairs if labels[p[2]] == q]
                out['qret'][hi][q].append(sum(rs)/len(rs) if rs else None)
    return out
def r(x): return None if x is None else round(x, 12)
def clean(o):
    if isinstance(o, float): return r(o)
    if isinstance(o, list): return [clean(v) for v in o]
    if isinstance(o, dict): return {str(k): clean(v) for k, v in o.items()}
    return o
res = {'plain': run(), 'industry': run(ind=True), 'size': run(sz=True), 'both': run(ind=True, sz=True), 'filters': run(ex_st=True, min_listed=3)}
print(json.dumps(clean(res)))
