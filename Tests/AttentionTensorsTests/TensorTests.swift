import Testing
@testable import AttentionTensors

@Suite struct TensorTests {
    @Test func initChecksElementCount() {
        #expect(tensorError { try Tensor(shape: [2, 3], elements: [1, 2, 3, 4, 5]) }
                == .elementCountMismatch(shape: [2, 3], expected: 6, found: 5))
        let message = tensorError { try Tensor(shape: [2, 3], elements: []) }?.description ?? ""
        #expect(message.contains("[2, 3]") && message.contains("6") && message.contains("0"))
    }

    @Test func initRejectsNegativeAndOverflowingShapes() {
        guard case .invalidShape(_, _, let reason)? = tensorError({ try Tensor(shape: [2, -1], elements: []) }) else {
            Issue.record("expected invalidShape"); return
        }
        #expect(reason.contains("-1"))
        guard case .invalidShape? = tensorError({ try Tensor(shape: [Int.max, 3], elements: []) }) else {
            Issue.record("expected invalidShape for overflow"); return
        }
    }

    @Test func zeroDimensionalAndEmpty() throws {
        let scalar = try Tensor(shape: [], elements: [7])
        #expect(scalar.count == 1 && scalar.rank == 0)
        #expect(scalar[[]] == 7)
        let empty = Tensor(zeros: [2, 0, 3])
        #expect(empty.count == 0 && empty.shape == [2, 0, 3])
    }

    @Test func subscriptIsCOrder() throws {
        var t = ramp([2, 3, 4])
        #expect(t.flatIndex([1, 2, 3]) == 23)
        #expect(t[[1, 0, 2]] == t.elements[1 * 12 + 0 * 4 + 2])
        t[[0, 1, 1]] = 42
        #expect(t.elements[5] == 42)
        let zeros = Tensor(zeros: [2, 2])
        #expect(zeros.elements == [0, 0, 0, 0])
    }
}
